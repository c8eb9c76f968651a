"""Unit selection (Video Rewrite style): mouth frames for a new line by audio similarity plus a smoothness cost.

Target cost: squared distance between the new line's per-frame audio descriptor and each bank frame's (its own
sync sound's descriptor), divided by the dimension; plus, given the bank mouths' openness, ``shape_weight`` × its
mean × the openness cost (``editor.dialogue.shape``: the openness the project's own takes predict from the line's
sound against each bank mouth's). Issue 18: by audio distance alone the CREMA-D neutral line got the angry and
sad takes' wider mouths; the openness cost brought the rebuilt mouth closer to the take's on the held-out takes
and variants. The cost is gated (``editor.dialogue.shape``, step 3): used only when the shape model predicts each
of the pool's takes from the others well enough, so a one-take pool, or a moving head whose openness measure is
mostly head motion and shading (Obama), is selected by audio distance alone. Join cost: zero when the next unit is
the bank frame that followed the previous one in its take (natural motion), otherwise ``jump`` plus ``visual`` ×
the mean absolute difference of the two grey mouth crops. Viterbi over the ``beam`` best targets per frame.
The pool may be cut first (``allowed``: ``editor.dialogue.fit``, the mouths that fit the shot); the openness model
still learns from every mouth of the takes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from editor.dialogue.shape import SHAPE_WEIGHT, ShapeCost, shape_cost


@dataclass(frozen=True)
class Selection:
    """Chosen bank indices per output frame and how they were chosen."""

    indices: np.ndarray
    target_cost: float
    join_cost: float
    continuity: float  # fraction of joins that continue the bank's own sequence
    shape: ShapeCost | None = None  # the openness cost's gate and evidence; None: no openness given

    def as_metrics(self) -> dict[str, float]:
        return {
            "selection_target_cost": round(self.target_cost, 4),
            "selection_join_cost": round(self.join_cost, 4),
            "selection_continuity": round(self.continuity, 4),
            **(self.shape.as_metrics() if self.shape is not None else {}),
        }


def select_units(
    query: np.ndarray,
    bank: np.ndarray,
    take_ids: np.ndarray,
    frame_ids: np.ndarray,
    thumbs: np.ndarray,
    *,
    beam: int = 40,
    jump: float = 0.3,
    visual: float = 2.0,
    exclude_take: int | None = None,
    openness: np.ndarray | None = None,
    shape_weight: float = SHAPE_WEIGHT,
    allowed: np.ndarray | None = None,
) -> Selection:
    """Choose one bank frame per query frame.

    Args:
        query: ``(T, D)`` descriptors of the new line, one per output frame.
        bank: ``(N, D)`` descriptors of the bank frames.
        take_ids: ``(N,)`` take of each bank frame; ``frame_ids``: its frame number in that take.
        thumbs: ``(N, h, w)`` grey crops in [0, 1] for the visual join cost.
        exclude_take: a take whose frames may not be used (rebuild-a-take experiments).
        openness: ``(N,)`` each bank mouth's openness (``editor.dialogue.shape.mouth_shape``'s first column);
            without it, audio distance only; with it, the openness cost when its gate is open.
        allowed: ``(N,)`` bool, the bank frames that may be chosen (``editor.dialogue.fit``: those that fit the
            shot); default all (less ``exclude_take``'s).
    """
    takes = np.ones(len(bank), bool) if exclude_take is None else take_ids != exclude_take
    usable = takes if allowed is None else takes & np.asarray(allowed, bool)
    pool = np.nonzero(usable)[0]
    if not len(pool):
        raise ValueError("no bank frame may be chosen: the pool is empty")
    d = ((query[:, None, :] - bank[None, pool, :]) ** 2).mean(-1)  # (T, P)
    shape = None
    if openness is not None and shape_weight > 0:
        whole = np.nonzero(takes)[0]  # the shape model learns from every mouth of the takes, chosen or not
        shape = shape_cost(query, bank[whole], take_ids[whole], openness[whole])
        if shape.cost is not None:
            d = d + shape_weight * float(d.mean()) * shape.cost[:, usable[whole]]
    k = min(beam, len(pool))
    cand = np.argsort(d, axis=1)[:, :k]
    cost_t = np.take_along_axis(d, cand, axis=1)
    units = pool[cand]  # (T, k) bank indices
    flat = thumbs.reshape(len(thumbs), -1)
    acc = cost_t[0].copy()
    back = np.zeros((len(query), k), int)
    joins = []
    for t in range(1, len(query)):
        prev, cur = units[t - 1], units[t]
        vis = np.abs(flat[prev][:, None, :] - flat[cur][None, :, :]).mean(-1)
        cont = (take_ids[prev][:, None] == take_ids[cur][None, :]) & (
            frame_ids[cur][None, :] == frame_ids[prev][:, None] + 1
        )
        same = prev[:, None] == cur[None, :]
        join = np.where(cont, 0.0, jump + visual * vis)
        join = np.where(same, jump * 0.5, join)  # holding a frame is cheaper than a jump, dearer than continuing
        total = acc[:, None] + join
        back[t] = total.argmin(0)
        acc = total[back[t], np.arange(k)] + cost_t[t]
        joins.append(join)
    path = np.zeros(len(query), int)
    path[-1] = int(acc.argmin())
    for t in range(len(query) - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    chosen = units[np.arange(len(query)), path]
    tc = float(cost_t[np.arange(len(query)), path].mean())
    jc = float(np.mean([joins[t - 1][path[t - 1], path[t]] for t in range(1, len(query))])) if len(query) > 1 else 0.0
    conts = [
        take_ids[chosen[t]] == take_ids[chosen[t - 1]] and frame_ids[chosen[t]] == frame_ids[chosen[t - 1]] + 1
        for t in range(1, len(query))
    ]
    return Selection(chosen, tc, jc, float(np.mean(conts)) if conts else 1.0, shape)

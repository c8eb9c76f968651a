/* Bulk RFC 6962 hashing for the ledger: leaf hashes of many entries and roots of complete subtrees.
 *
 * Optional accelerator for ledger/_hashing.py, which holds the pure-Python reference of both functions and uses
 * this module when it was built. One call hashes a whole chunk with OpenSSL's SHA-256 (SHA-NI where the CPU has
 * it) with the GIL released, instead of two Python calls per hash.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <string.h>

#define HASH 32

static void digest_out(const SHA256_CTX *c, unsigned char *out) {
    for (int k = 0; k < 8; k++) {
        out[4 * k] = (unsigned char)(c->h[k] >> 24);
        out[4 * k + 1] = (unsigned char)(c->h[k] >> 16);
        out[4 * k + 2] = (unsigned char)(c->h[k] >> 8);
        out[4 * k + 3] = (unsigned char)c->h[k];
    }
}

static PyObject *leaf_hashes(PyObject *self, PyObject *arg) {
    PyObject *seq = PySequence_Fast(arg, "leaf_hashes() takes a sequence of bytes");
    if (seq == NULL) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    const unsigned char **ptr = PyMem_Malloc(sizeof(*ptr) * (size_t)(n ? n : 1));
    Py_ssize_t *len = PyMem_Malloc(sizeof(*len) * (size_t)(n ? n : 1));
    PyObject *out = NULL;
    if (ptr == NULL || len == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = items[i];
        if (PyTuple_Check(item) && PyTuple_GET_SIZE(item) >= 1) item = PyTuple_GET_ITEM(item, 0); /* a DB row */
        if (!PyBytes_Check(item)) {
            PyErr_Format(PyExc_TypeError, "leaf_hashes(): item %zd is %.100s, not bytes", i, Py_TYPE(item)->tp_name);
            goto done;
        }
        ptr[i] = (const unsigned char *)PyBytes_AS_STRING(item);
        len[i] = PyBytes_GET_SIZE(item);
    }
    out = PyBytes_FromStringAndSize(NULL, n * HASH);
    if (out == NULL) goto done;
    unsigned char *dst = (unsigned char *)PyBytes_AS_STRING(out);
    static const unsigned char zero = 0x00;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        SHA256_CTX c;
        SHA256_Init(&c);
        SHA256_Update(&c, &zero, 1);
        SHA256_Update(&c, ptr[i], (size_t)len[i]);
        SHA256_Final(dst + i * HASH, &c);
    }
    Py_END_ALLOW_THREADS
done:
    PyMem_Free(ptr);
    PyMem_Free(len);
    Py_DECREF(seq);
    return out;
}

/* SHA-256(0x01 || left || right) for the 64 bytes at pair (left then right), written to out (may alias pair).
 * The 65-byte message is exactly two blocks; they are laid out here and fed to OpenSSL's block function
 * (SHA-NI where available), skipping the generic buffering of SHA256_Update/Final. */
static void node_hash(const unsigned char *pair, unsigned char *out) {
    unsigned char block[128];
    SHA256_CTX c;
    block[0] = 0x01;
    memcpy(block + 1, pair, 2 * HASH);
    block[65] = 0x80;
    memset(block + 66, 0, 128 - 66 - 2);
    block[126] = 0x02; /* message length in bits: 65 * 8 = 520 = 0x0208, big-endian in the last 8 bytes */
    block[127] = 0x08;
    SHA256_Init(&c);
    SHA256_Transform(&c, block);
    SHA256_Transform(&c, block + 64);
    digest_out(&c, out);
}

static PyObject *subtree_roots(PyObject *self, PyObject *args) {
    Py_buffer row;
    int height;
    if (!PyArg_ParseTuple(args, "y*i", &row, &height)) return NULL;
    PyObject *out = NULL;
    Py_ssize_t width = (Py_ssize_t)1 << (height < 0 ? 0 : height);
    if (height < 0 || height > 30 || row.len % HASH != 0) {
        PyErr_SetString(PyExc_ValueError, "subtree_roots(): row must be whole 32-byte hashes, height 0..30");
        goto done;
    }
    Py_ssize_t count = row.len / HASH / width;
    out = PyBytes_FromStringAndSize(NULL, count * HASH);
    if (out == NULL) goto done;
    unsigned char *dst = (unsigned char *)PyBytes_AS_STRING(out);
    unsigned char *work = PyMem_Malloc((size_t)(width * HASH));
    if (work == NULL) {
        Py_CLEAR(out);
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t t = 0; t < count; t++) {
        memcpy(work, (const unsigned char *)row.buf + t * width * HASH, (size_t)(width * HASH));
        for (Py_ssize_t w = width; w > 1; w /= 2) {
            for (Py_ssize_t i = 0; i < w / 2; i++) node_hash(work + 2 * i * HASH, work + i * HASH);
        }
        memcpy(dst + t * HASH, work, HASH);
    }
    Py_END_ALLOW_THREADS
    PyMem_Free(work);
done:
    PyBuffer_Release(&row);
    return out;
}

static PyMethodDef methods[] = {
    {"leaf_hashes", leaf_hashes, METH_O,
     "leaf_hashes(datas) -> bytes: SHA-256(0x00 || d) of every d (bytes, or a row whose first column is bytes), "
     "concatenated."},
    {"subtree_roots", subtree_roots, METH_VARARGS,
     "subtree_roots(row, height) -> bytes: the root of every complete run of 2**height hashes in row."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ledger._chash", NULL, -1, methods};

PyMODINIT_FUNC PyInit__chash(void) { return PyModule_Create(&module); }

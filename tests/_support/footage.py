"""Names of the shared clips the application tests use."""

CLIP = "grid_pwij3p.mpg"
PLATE = "grid_id2_vcd_swwp2s.mpg"

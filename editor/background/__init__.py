"""Background replacement: clean plate, difference key, trimap, guided-filter matting, temporal stabilisation."""

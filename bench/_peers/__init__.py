"""Today's methods, kept verbatim (as of main 9a91bc4) so every quality benchmark runs them in the same run as the
new ones. Bench-only: nothing in the product imports these."""

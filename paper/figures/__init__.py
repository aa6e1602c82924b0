"""One module per figure of the paper; each exposes ``main(outdir, *, quick=False) -> dict``."""

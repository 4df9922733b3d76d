"""Demo: answer files -> submitted notebooks, and the whole cycle build -> grade -> feedback -> report."""

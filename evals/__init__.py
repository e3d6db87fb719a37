"""Evaluation of EIP Assistant against gold data: metrics, gold-set handling and the runner."""

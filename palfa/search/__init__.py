"""The beam search: engines, their stages, and the output contract they share."""

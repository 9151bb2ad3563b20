"""The sales context: walk-in sales at a register, shifts, receipts and returns."""

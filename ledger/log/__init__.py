"""The verifiable log: Merkle tree math, leaves, and signed checkpoints (pure logic)."""

"""Stage 3 — assess: rubric files, the condition language and the level engine."""

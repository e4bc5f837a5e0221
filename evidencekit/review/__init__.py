"""The review round: reviewers validate what applicants claim (issue #16).

:mod:`.model` holds judgements and the rule that turns them into decisions, :mod:`.files`
the judgements file format, :mod:`.store` the round's review store (SQLite or PostgreSQL)
with its audit trail, :mod:`.agreement` Cohen's kappa between reviewers.
"""

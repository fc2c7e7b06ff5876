"""Log records kept in the store: Chronologer's record resource.

``item`` is a record as it travels on the records queue and is stored
(built from a logging record's fields); ``store`` writes and purges them;
``worker`` is the records worker's step; ``filters`` and ``query`` turn a
request's filters into SQLAlchemy Core; ``read`` counts, groups and pages.
"""

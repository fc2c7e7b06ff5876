"""Shipping packages of collected data to a service (docs/design.md, Shipping).

Registered collectors (``registry``) are gathered for a period into parts
(``parts``), placed into packages under a size cap (``packing``), written
as ``.tar.gz`` (``tarball``), and shipped as items of the reliable queue
(``ship``) to a target (``targets``); ``book`` keeps in Redis what was
shipped, so that a collector's period advances only once its packages
arrived.
"""

"""Where usage events and lines go once a worker has decided about them:
trackers over HTTP (``delivery``) and plain files (``logfile``)."""

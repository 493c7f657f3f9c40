"""Helpers that turn one e-mail message into candidate documents.

The public entry points live in :mod:`extraction.split`; the modules here are
its parts: ``headers`` (robust parsing and header decoding), ``names``
(attachment file names), ``forwards`` (inline forward header blocks),
``dates`` (dates written by mail clients), ``noise`` (typing parts that are not
documents), ``body`` (HTML and text bodies that are receipts), ``archives``
(ZIP in memory, with limits) and ``tnef`` (winmail.dat).
"""

"""HTTP endpoints of the payments domain, one blueprint per audience: customers
(``payments``), providers (``webhooks``), staff (``refunds``, ``admin``) and the sandbox's
approve/decline page (``sandbox``)."""

"""Payment gateways: one module per provider, all implementing ``base.BaseGateway``.

They are found through the ``sokoni.gateways`` entry points (see ``registry``), so the
built-in ones here are installed exactly as a third party's would be.
"""

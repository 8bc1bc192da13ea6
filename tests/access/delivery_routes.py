"""Access expectations of the delivery pages, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
"""

DELIVERY_ROUTES: dict = {}

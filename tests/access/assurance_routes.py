"""Access expectations of the assurance pages, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
"""

ASSURANCE_ROUTES: dict = {}

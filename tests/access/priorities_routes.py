"""Access expectations of the priorities pages, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
"""

PRIORITIES_ROUTES: dict = {}

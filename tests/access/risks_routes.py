"""Access expectations of the risks pages, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
"""

RISKS_ROUTES: dict = {}

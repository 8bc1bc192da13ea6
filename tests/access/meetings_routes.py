"""Access expectations of the meetings pages, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
"""

MEETINGS_ROUTES: dict = {}

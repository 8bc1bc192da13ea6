"""Access expectations of the consultation pages, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
"""

CONSULTATION_ROUTES: dict = {}

"""Access expectations of the plan pages, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
"""

PLAN_ROUTES: dict = {}

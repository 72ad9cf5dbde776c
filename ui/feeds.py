"""Each saved search's Atom feed at a stable address of the running app, for a feed
reader to subscribe to: ``/feeds/<id>.atom`` (the id stays while the search exists).

Streamlit cannot add routes from a page script; ``courseradar serve`` runs the app as a
Streamlit ``st.App`` (ui/asgi.py) with these routes beside Streamlit's own. The feed's
links open the search itself on the app that served it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ATOM = "application/atom+xml; charset=utf-8"


def feed(request: Request) -> Response:
    """The feed of the saved search named by the path's id; 404 for none."""
    from catalog import saved_searches
    from ui import data

    engine = data.engine()
    name = saved_searches.name_of(engine, int(request.path_params["id"]))
    if name is None:
        return Response("no saved search has this address\n", 404, media_type="text/plain")
    base = f"{request.url.scheme}://{request.url.netloc}"
    try:
        body = saved_searches.atom_feed(engine, name, base_url=base)
    except saved_searches.UserDataError as exc:  # deleted meanwhile, or no longer reads
        return Response(f"{exc}\n", 404, media_type="text/plain")
    return Response(body, media_type=ATOM, headers={"Cache-Control": "no-cache"})


ROUTES = [Route("/feeds/{id:int}.atom", feed, methods=["GET", "HEAD"])]

"""ASGI middleware in front of Streamlit: what an anonymous browser must not be able to ask of the server.

Streamlit's websocket accepts developer messages from any client. `clear_cache` empties every cache and
session state for all users at once (a denial of service: every page then rebuilds the publication),
`set_run_on_save` and `load_git_info` are for a developer's own machine. This middleware drops those
BackMsgs before Streamlit sees them; everything else passes untouched.
"""

from __future__ import annotations

DROPPED = frozenset({"clear_cache", "set_run_on_save", "load_git_info"})


def message_type(data: bytes) -> str | None:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    try:
        msg.ParseFromString(data)
    except Exception:  # not a BackMsg: Streamlit itself will refuse it
        return None
    return msg.WhichOneof("type")


class DropDeveloperMessages:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)

        async def filtered():
            while True:
                message = await receive()
                data = message.get("bytes") if message["type"] == "websocket.receive" else None
                if data and message_type(data) in DROPPED:
                    continue
                return message

        return await self.app(scope, filtered, send)

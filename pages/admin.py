"""Admin: the audit trail and the accounts (admin only; refused on the server for anyone else)."""

import streamlit as st

from etl import audit, sessions, users
from kla import auth
from kla.i18n import t
from kla.shell import context
from kla.views import admin as view

ctx = context(__file__)
admin = auth.require("admin", t("auth.refused_admin"))
st.title(t("admin.title"))

st.subheader(t("admin.audit_title"))
events = audit.read(limit=2000)
chosen = st.multiselect(
    t("admin.filter_action"),
    view.audit_actions(events),
    key="audit_actions",
    placeholder=t("app.choose"),
    select_all=False,  # Streamlit's "Select all" is English only
)
st.dataframe(view.audit_table(events, chosen, ctx.lang), hide_index=True, width="stretch", key="audit_table")
st.caption(t("admin.audit_caption", path=audit.path()))

st.subheader(t("admin.users_title"))
accounts = users.listing()
st.dataframe(view.accounts_table(accounts, ctx.lang), hide_index=True, width="stretch", key="users_table")
locked = view.locked_accounts(accounts)
if locked:
    who = st.selectbox(t("admin.unlock_pick"), locked, key="unlock_pick")
    if st.button(t("admin.unlock"), key="unlock_go"):
        auth.require("admin", t("auth.refused_admin"))  # checked again at the moment of the action
        users.unlock(who)
        audit.record("pengguna", admin.user, admin.role, f"buka kunci {who}")
        st.rerun()
st.caption(t("admin.users_caption"))

st.subheader(t("admin.sessions_title"))
live = sessions.listing()
st.dataframe(view.sessions_table(live, ctx.lang), hide_index=True, width="stretch", key="sessions_table")
if live:
    who = st.selectbox(t("admin.revoke_pick"), view.session_users(live), key="revoke_pick")
    if st.button(t("admin.revoke"), key="revoke_go", icon=":material/logout:"):
        auth.require("admin", t("auth.refused_admin"))
        n = sessions.revoke_user(who)
        audit.record("pengguna", admin.user, admin.role, f"akhiri {n} sesi {who}")
        st.rerun()
st.caption(t("admin.sessions_caption"))

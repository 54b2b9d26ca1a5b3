"""Admin: the audit trail and the accounts (admin only; refused on the server for anyone else)."""

import datetime as dt

import pandas as pd
import streamlit as st

from etl import audit, sessions, users
from kla import auth
from kla.fmt import fmt_datetime
from kla.i18n import t
from kla.shell import context

ctx = context(__file__)
admin = auth.require("admin", t("auth.refused_admin"))
st.title(t("admin.title"))

st.subheader(t("admin.audit_title"))
events = pd.DataFrame(audit.read(limit=2000), columns=["waktu", "pengguna", "peran", "aksi", "rincian"])
actions = sorted(events["aksi"].unique()) if len(events) else []
chosen = st.multiselect(t("admin.filter_action"), actions, key="audit_actions")
shown = events[events["aksi"].isin(chosen)] if chosen else events
st.dataframe(
    shown.rename(columns={c: t(f"admin.col_{c}") for c in shown.columns}),
    hide_index=True,
    width="stretch",
    key="audit_table",
)
st.caption(t("admin.audit_caption", path=audit.path()))

st.subheader(t("admin.users_title"))
accounts = pd.DataFrame(users.listing(), columns=["pengguna", "nama", "peran", "wilayah", "gagal", "terkunci"])
st.dataframe(
    accounts.rename(columns={c: t(f"admin.col_{c}") for c in accounts.columns}),
    hide_index=True,
    width="stretch",
    key="users_table",
)
locked = accounts.loc[accounts["terkunci"], "pengguna"].tolist()
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
view = pd.DataFrame(
    [
        {
            "pengguna": x.user,
            "masuk": fmt_datetime(dt.datetime.fromtimestamp(x.created), ctx.lang),
            "terakhir": fmt_datetime(dt.datetime.fromtimestamp(x.seen), ctx.lang),
            "klien": x.client,
            "peramban": x.agent[:60],
        }
        for x in live
    ],
    columns=["pengguna", "masuk", "terakhir", "klien", "peramban"],
)
st.dataframe(
    view.rename(columns={c: t(f"admin.col_{c}") for c in view.columns}),
    hide_index=True,
    width="stretch",
    key="sessions_table",
)
if live:
    who = st.selectbox(t("admin.revoke_pick"), sorted({x.user for x in live}), key="revoke_pick")
    if st.button(t("admin.revoke"), key="revoke_go", icon=":material/logout:"):
        auth.require("admin", t("auth.refused_admin"))
        n = sessions.revoke_user(who)
        audit.record("pengguna", admin.user, admin.role, f"akhiri {n} sesi {who}")
        st.rerun()
st.caption(t("admin.sessions_caption"))

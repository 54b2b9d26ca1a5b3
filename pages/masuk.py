"""Masuk / Keluar: login for analysts and admins (public viewers need no account)."""

import streamlit as st

from kla import auth
from kla.i18n import t
from kla.shell import context

ctx = context(__file__)
v = auth.viewer()
if v.public:
    st.title(t("auth.title"))
    st.markdown(t("auth.lead"))
    auth.login_form(
        {"form": t("auth.form"), "user": t("auth.user"), "password": t("auth.password"), "submit": t("auth.submit"),
         "oidc": t("auth.oidc")},
        {"wrong": t("auth.wrong"), "locked": t("auth.locked")})
    v = auth.viewer()  # signed in by the form just now: show the account in this same run
    if v.public:
        st.caption(t("auth.no_account"))
if not v.public:
    st.subheader(t("auth.title_out"))
    st.markdown(t("auth.signed_in_as", name=v.name, user=v.user, role=t(f"auth.role_{v.role}")))
    st.markdown(t(f"auth.can_{v.role}"))
    if v.can("analis"):
        st.page_link("pages/data.py", label=t("nav.data"), icon=":material/database:")
    auth.logout(t("auth.logout"), t("auth.logged_out"))

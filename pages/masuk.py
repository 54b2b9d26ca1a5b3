"""Masuk / Keluar: login for analysts and admins (public viewers need no account).

The form posts to /akun/masuk (kla/account.py), which sets the HttpOnly session cookie and sends the
browser back here; this page then shows the account and the Keluar button.
"""

import streamlit as st

from kla import auth
from kla.fmt import md_text
from kla.i18n import t
from kla.shell import context

ctx = context(__file__)
v = auth.viewer()
if v.public:
    st.title(t("auth.title"))
    if st.query_params.get("keluar") == "1":
        st.success(t("auth.logged_out"), icon=":material/logout:")
    st.markdown(t("auth.lead"))
    auth.login_form(t, ctx.lang)
    st.caption(t("auth.no_account"))
else:
    st.subheader(t("auth.title_out"))
    st.markdown(t("auth.signed_in_as", name=md_text(v.name), user=md_text(v.user), role=t(f"auth.role_{v.role}")))
    st.markdown(t(f"auth.can_{v.role}"))
    if v.can("analis"):
        st.page_link("pages/data.py", label=t("nav.data"), icon=":material/database:")
    auth.logout(t("auth.logout"), ctx.lang)

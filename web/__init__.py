"""The POS web app (till, back office, reports), built by Vite into `static/`."""

from web.serving import (
    APP_PATH,
    STATIC_DIR,
    WebAppNotBuilt,
    app_routes,
    app_trusted_documents,
    mount_app,
)

__all__ = [
    "APP_PATH",
    "STATIC_DIR",
    "WebAppNotBuilt",
    "app_routes",
    "app_trusted_documents",
    "mount_app",
]

"""The admin dashboard, mounted by the core at ``/admin``."""

from siteseer.web.admin.app import AdminServices, SimpleServices, create_admin_app, csp_script_hashes

__all__ = ["AdminServices", "SimpleServices", "create_admin_app", "csp_script_hashes"]

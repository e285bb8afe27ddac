"""The editors' desk: the Django admin as the place editors write and keep the catalogue.

What it adds to every app's admin: saves that never overwrite a colleague's
(`forms.ConflictSafeForm`, `admin.ConflictSafeAdmin`), the desk's name and look
(`apps.DeskConfig`, `templates/admin/`). Each app's own admin (articles, catalogue)
registers its models and tools on top of it.
"""

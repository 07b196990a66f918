from ldap3 import Connection, SUBTREE
from ldap3.utils.conv import escape_filter_chars

BASE_DN = "ou=people,dc=example,dc=com"


def find_user(conn: Connection, username: str):
    search_filter = "(&(objectClass=person)(uid=%s))" % escape_filter_chars(username)
    conn.search(BASE_DN, search_filter, SUBTREE, attributes=["cn", "mail"])
    return conn.entries

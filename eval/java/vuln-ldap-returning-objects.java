// corgi-expect: java-ldap-returning-objects
package com.example.directory;

import javax.naming.NamingEnumeration;
import javax.naming.directory.*;

public class GroupLookup {
    NamingEnumeration<SearchResult> members(DirContext ctx, String group) throws Exception {
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        controls.setReturningObjFlag(true);
        return ctx.search("ou=groups,dc=example,dc=com", "(cn={0})", new Object[]{group}, controls);
    }
}

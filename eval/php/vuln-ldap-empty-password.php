<?php
// corgi-expect: php-ldap-anonymous-bind
function directoryLogin(string $user): bool
{
    $conn = ldap_connect('ldaps://ldap.example.com');
    ldap_set_option($conn, LDAP_OPT_PROTOCOL_VERSION, 3);
    $dn = 'uid=' . ldap_escape($user, '', LDAP_ESCAPE_DN) . ',ou=people,dc=example,dc=com';
    return ldap_bind($conn, $dn);
}

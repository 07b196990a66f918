<?php
// corgi-expect: php-parse-str-globals
$isAdmin = current_user_is_admin();
parse_str($_SERVER['QUERY_STRING']);
if ($isAdmin) {
    show_admin_panel();
}

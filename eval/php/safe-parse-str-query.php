<?php
$isAdmin = current_user_is_admin();
parse_str($_SERVER['QUERY_STRING'], $query);
$page = $query['page'] ?? 'home';
if ($isAdmin) {
    show_admin_panel();
}

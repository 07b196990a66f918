<?php
// corgi-expect: php-phpinfo
if (($_GET['page'] ?? '') === 'diagnostics') {
    phpinfo();
    exit;
}

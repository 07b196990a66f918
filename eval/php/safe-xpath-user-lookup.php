<?php
$users = simplexml_load_file(__DIR__ . '/users.xml');
$login = $_POST['login'];
$found = false;
foreach ($users->xpath('//user/login') as $node) {
    if ((string) $node === $login) {
        $found = true;
    }
}
echo $found ? 'found' : 'unknown';

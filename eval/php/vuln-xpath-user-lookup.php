<?php
// corgi-expect: php-dataflow-xpath
$users = simplexml_load_file(__DIR__ . '/users.xml');
$login = $_POST['login'];
$match = $users->xpath("//user[login='$login']");
echo count($match) > 0 ? 'found' : 'unknown';

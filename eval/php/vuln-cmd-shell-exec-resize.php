<?php
$upload = $_FILES['image']['tmp_name'];
$width = $_POST['width'];
$out = '/var/www/thumbs/' . uniqid() . '.jpg';
$log = shell_exec("convert $upload -resize {$width}x $out 2>&1");
echo json_encode(['thumb' => basename($out), 'log' => $log]);

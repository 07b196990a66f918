<?php
$upload = $_FILES['image']['tmp_name'];
$width = (int) $_POST['width'];
$out = '/var/www/thumbs/' . bin2hex(random_bytes(8)) . '.jpg';
$cmd = sprintf('convert %s -resize %dx %s 2>&1', escapeshellarg($upload), $width, escapeshellarg($out));
exec($cmd, $log, $code);
echo json_encode(['thumb' => basename($out), 'ok' => $code === 0]);

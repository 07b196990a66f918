<?php
// corgi-expect: php-cors-any-origin
namespace App\Controller;

use Symfony\Component\HttpFoundation\JsonResponse;

class AccountController
{
    public function profile(): JsonResponse
    {
        $response = new JsonResponse($this->currentUserProfile());
        $response->headers->set('Access-Control-Allow-Origin', '*');
        return $response;
    }
}

<?php
namespace App\Controller;

use Symfony\Component\HttpFoundation\JsonResponse;

class AccountController
{
    public function profile(): JsonResponse
    {
        $response = new JsonResponse($this->currentUserProfile());
        $response->headers->set('Access-Control-Allow-Origin', 'https://app.example.com');
        $response->headers->set('Vary', 'Origin');
        return $response;
    }
}

<?php
namespace App\Http\Controllers;

use Illuminate\Http\Request;

class ProfileController extends Controller
{
    public function update(Request $request)
    {
        $request->user()->update($request->all());
        return back()->with('status', 'Profile updated');
    }
}

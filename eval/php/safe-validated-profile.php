<?php
namespace App\Http\Controllers;

use Illuminate\Http\Request;

class ProfileController extends Controller
{
    public function update(Request $request)
    {
        $data = $request->validate([
            'name' => 'required|string|max:100',
            'bio' => 'nullable|string|max:1000',
        ]);
        $request->user()->update($data);
        return back()->with('status', 'Profile updated');
    }
}

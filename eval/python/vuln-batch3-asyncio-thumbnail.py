# corgi-expect: python-asyncio-shell-nonconstant
import asyncio


async def make_thumbnail(src_path: str, dst_path: str) -> int:
    proc = await asyncio.create_subprocess_shell(
        f"convert {src_path} -resize 128x128 {dst_path}"
    )
    return await proc.wait()

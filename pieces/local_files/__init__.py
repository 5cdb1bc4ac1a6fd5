"""The Local Files piece: read, write, list and move files in folders the user allowed."""

from pieces.framework import Piece
from pieces.local_files.actions.list_folder import list_folder
from pieces.local_files.actions.move_file import move_file
from pieces.local_files.actions.read_file import read_file
from pieces.local_files.actions.write_file import write_file
from pieces.local_files.triggers.new_file_in_folder import new_file_in_folder

piece = Piece(
    name="local_files",
    display_name="Local Files",
    version="0.1.0",
    description="Read, write, list and move files on this computer, in folders you allowed.",
    logo="local_files.svg",
    categories=("CORE", "CONTENT_AND_FILES"),
    actions=(read_file, write_file, list_folder, move_file),
    triggers=(new_file_in_folder,),
    personal_only=True,
)

__all__ = ["piece"]

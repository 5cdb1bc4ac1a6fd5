"""The Data Mapper piece: reshape data from earlier steps into a new object."""

from pieces.data_mapper.actions.map import map as map_action
from pieces.framework import Piece

piece = Piece(
    name="data_mapper",
    display_name="Data Mapper",
    version="0.1.0",
    description="Reshape data from earlier steps into a new object.",
    logo="data_mapper.svg",
    categories=("CORE",),
    actions=(map_action,),
)

__all__ = ["piece"]

"""GeoJSON values, like the official client's `aerospike.GeoJSON`, `aerospike.geodata` and
`aerospike.geojson`. A GeoJSON object stored in a bin (or in a list or map) is written as a
GeoJSON particle (type 23), which a geo2dsphere index can index; reads give GeoJSON objects back."""

from __future__ import annotations

import json
from typing import Any

from aerospike_py.exception import ClientError, ParamError


def _loads(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        raise ClientError(msg="String is not GeoJSON serializable") from None
    return data


class GeoJSON:
    """A GeoJSON geometry: `GeoJSON(dict)` or `GeoJSON(json_str)`; `.geo_data` is the dict."""

    __slots__ = ("geo_data",)

    def __init__(self, geo_data: dict[str, Any] | str) -> None:
        if isinstance(geo_data, str):
            geo_data = _loads(geo_data)
        if not isinstance(geo_data, dict):
            raise ParamError(msg="Geospatial data should be a dictionary or raw GeoJSON string")
        self.geo_data = geo_data

    def wrap(self, geo_data: dict[str, Any]) -> None:
        """Replaces the geometry with the dict `geo_data`."""
        if not isinstance(geo_data, dict):
            raise ParamError(msg="Geospatial data should be a dictionary or raw GeoJSON string")
        self.geo_data = geo_data

    def unwrap(self) -> dict[str, Any]:
        """The geometry as a dict."""
        return self.geo_data

    def loads(self, raw_geo: str) -> None:
        """Replaces the geometry with the one in the GeoJSON string `raw_geo`."""
        if not isinstance(raw_geo, str):
            raise ParamError(msg="Argument should be a GeoJSON string")
        data = _loads(raw_geo)
        if not isinstance(data, dict):
            raise ParamError(msg="Geospatial data should be a dictionary or raw GeoJSON string")
        self.geo_data = data

    def dumps(self) -> str:
        """The geometry as a GeoJSON string (what is stored in the bin)."""
        try:
            return json.dumps(self.geo_data)
        except (TypeError, ValueError):
            raise ClientError(msg="Unable to call get data in str format") from None

    def __str__(self) -> str:
        return self.dumps()

    def __repr__(self) -> str:
        # The official client's repr is the JSON text in single quotes (eval() gives the str).
        return "'" + self.dumps() + "'"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GeoJSON) and other.geo_data == self.geo_data

    __hash__ = None  # type: ignore[assignment] - mutable, like a dict


def geodata(geo_data: dict[str, Any]) -> GeoJSON:
    """A GeoJSON object from a dict."""
    if not isinstance(geo_data, dict):
        raise ParamError(msg="The geospatial data should be a dictionary")
    return GeoJSON(geo_data)


def geojson(geojson_str: str) -> GeoJSON:
    """A GeoJSON object from a GeoJSON string."""
    if not isinstance(geojson_str, str):
        raise ParamError(msg="The geospatial data should be a GeoJSON string")
    return GeoJSON(geojson_str)


def _from_server(text: str) -> GeoJSON | str:
    """What a read gives for a stored GeoJSON particle (the Rust core calls this)."""
    try:
        return GeoJSON(text)
    except (ClientError, ParamError):
        return text  # not a JSON object: hand back the text rather than fail the whole read

"""ETL of Dasbor KLA: read OPD files, validate, publish versioned DuckDB warehouses. CLI: python -m etl."""

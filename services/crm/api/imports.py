"""Transaction history imports: an instructor uploads a CSV or .xlsx file (customer, date, amount[, country]);
it is checked whole and imported whole, or refused naming every bad row's fields with nothing written."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.crm import import_file, imports
from services.crm.schemas import ImportFile, ImportForm, ImportOut
from shoplab.errors import InvalidInput
from shoplab.plumbing.web import db
from shoplab.shops.context import shop_context

imports_api = Blueprint("imports", __name__, description="Importing a purchase history for RFM exercises")


@imports_api.route("/shops/<shop_id>/imports")
class Imports(MethodView):
    @imports_api.response(200, ImportOut(many=True))
    def get(self, shop_id: str):
        """The shop's imports, oldest first."""
        with db().reading() as session:
            shop_context(session, shop_id)
            return imports.imports_of(session, shop_id)

    @imports_api.arguments(ImportForm, location="form")
    @imports_api.arguments(ImportFile, location="files")
    @imports_api.response(201, ImportOut)
    def post(self, form, files, shop_id: str):
        """Import a purchase history (multipart: ``file``, ``agent_id``); RFM is recomputed at once. 422 naming
        ``fields.rows[<line>][<field>]`` for bad rows (nothing imported), ``fields.file`` for a bad file."""
        upload = files["file"]
        filename = (upload.filename or "").strip()
        if not filename:
            raise InvalidInput("the upload has no file name", {"file": ["a .csv or .xlsx file is required"]})
        data = upload.read()
        with db().reading() as session:
            now = shop_context(session, shop_id).shop_now
        fmt, table = import_file.read_table(filename, data)
        txs = import_file.transactions(table, now)
        with db().writing() as session:
            ctx = shop_context(session, shop_id)
            return imports.import_transactions(session, ctx, txs, filename=filename, fmt=fmt,
                                               agent_id=form["agent_id"])  # fmt: skip

"""The reports served, as the spec defines them (Code of Practice 4.1 and
4.4, and the COUNTER_SUSHI API's schemas): what each may filter on and
show, and what its standard view fixes.

PR and its view PR_P1 read ``platform_monthly`` summed over the services;
IR reads ``item_metrics_monthly``, one Report_Item per item. IR_A1 and
IR_M1 are not served: IR_M1 is for the Multimedia host type, and IR_A1
is limited to journal articles with their authors, publication date,
version and journal, none of which a log line tells (docs/design.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...stats.builtin import METRICS

# What every report path takes besides its filters and attributes.
COMMON = frozenset({"customer_id", "requestor_id", "api_key", "platform", "begin_date",
                    "end_date", "format"})
PR_METRICS = ("Searches_Platform", "Total_Item_Investigations", "Total_Item_Requests",
              "Unique_Item_Investigations", "Unique_Item_Requests",
              "Unique_Title_Investigations", "Unique_Title_Requests")
IR_METRICS = ("Total_Item_Investigations", "Total_Item_Requests", "Unique_Item_Investigations",
              "Unique_Item_Requests", "Limit_Exceeded", "No_License")
PR_DATA_TYPES = ("Article", "Audiovisual", "Book", "Book_Segment", "Conference",
                 "Conference_Item", "Database_Full_Item", "Dataset", "Image",
                 "Interactive_Resource", "Journal", "Multimedia", "News_Item",
                 "Newspaper_or_Newsletter", "Other", "Patent", "Platform", "Reference_Item",
                 "Reference_Work", "Report", "Software", "Sound", "Standard",
                 "Thesis_or_Dissertation", "Unspecified")
IR_DATA_TYPES = tuple(t for t in PR_DATA_TYPES if t not in (
    "Book", "Conference", "Journal", "Newspaper_or_Newsletter", "Platform", "Reference_Work"))
EXTENSIONS = ("Institution_Name", "Customer_ID", "Country_Name", "Country_Code",
              "Subdivision_Name", "Subdivision_Code", "Attributed")
ACCESS_METHODS = ("Regular", "TDM")
# Every Access_Method loglines counts is Regular: it has no TDM interface
# to tell apart.
COUNTED_ACCESS_METHOD = "Regular"


@dataclass(frozen=True)
class Definition:
    id: str  # Report_ID
    name: str  # Report_Name
    description: str
    stat: str  # the statistic read
    by_item: bool  # a Report_Item per item (IR), or one for the platform (PR)
    metrics: tuple  # the Metric_Types the spec allows in the report
    data_types: tuple
    attributes: tuple = ()  # the Attributes_To_Show values the spec allows
    parameters: frozenset = COMMON  # the query parameters it takes
    fixed: dict = field(default_factory=dict)  # a standard view's pre-set filters

    @property
    def path(self) -> str:
        return f"/r51/reports/{self.id.lower()}"

    @property
    def view(self) -> bool:
        return bool(self.fixed)


REPORTS = {d.id: d for d in (
    Definition("PR", "Platform Report", "The repository's usage summed by Data_Type, "
               "Access_Method and Metric_Type", "platform_monthly", False, PR_METRICS,
               PR_DATA_TYPES, ("Access_Method", *EXTENSIONS),
               COMMON | {"metric_type", "data_type", "access_method", "attributes_to_show",
                         "granularity", "attributed", "country_code", "subdivision_code"}),
    Definition("PR_P1", "Platform Usage", "Platform-level requests summed by Metric_Type",
               "platform_monthly", False, PR_METRICS, PR_DATA_TYPES,
               fixed={"Metric_Type": ["Searches_Platform", "Total_Item_Requests",
                                      "Unique_Item_Requests", "Unique_Title_Requests"],
                      "Access_Method": ["Regular"]}),
    Definition("IR", "Item Report", "Usage of each item of the repository",
               "item_metrics_monthly", True, IR_METRICS, IR_DATA_TYPES,
               ("YOP", "Access_Type", "Access_Method", "Authors", "Publication_Date",
                "Article_Version", *EXTENSIONS),
               COMMON | {"metric_type", "data_type", "access_method", "access_type", "yop",
                         "attributes_to_show", "granularity", "include_parent_details",
                         "include_component_details", "item_id", "author", "attributed",
                         "country_code", "subdivision_code"}),
)}
HELD = METRICS  # the Metric_Types the store keeps
SHOWABLE = frozenset({"Access_Method"})  # the attributes loglines can show
